#!/usr/bin/env python3
"""Writes a realistic syslog-style auth log of an internet-facing SSH server under attack.

Usage: gen_sshd_log.py LINES [SEED] > auth.log

The mix follows real auth logs: password guessing from many addresses (failed passwords,
invalid users, PAM failures, disconnects before authentication), some legitimate logins and
sessions, and the other daemons that share the file (CRON, sudo, systemd-logind). Deterministic
for a given seed, so runs can be compared.
"""
import random
import sys

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
USERS = ["root", "admin", "test", "user", "oracle", "postgres", "ubuntu", "git", "guest", "ftp",
         "pi", "support", "deploy", "www-data", "mysql", "jenkins", "hadoop", "ansible", "dev", "info"]
LEGIT = ["alice", "bob", "deploy"]


def main():
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    attackers = ["%d.%d.%d.%d" % (rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255),
                                  rng.randint(1, 254)) for _ in range(5000)]
    attackers += ["2001:db8:%x::%x" % (rng.randint(1, 0xffff), rng.randint(1, 0xffff))
                  for _ in range(200)]
    offices = ["192.0.2.%d" % i for i in range(10, 20)]
    second = 0
    month, day = 7, 14
    out = sys.stdout
    buf = []
    pid = 20000
    for n in range(lines):
        second += rng.random() * 0.09
        if second >= 86400:
            second -= 86400
            day += 1
            if day > 28:
                day = 1
                month = month % 12 + 1
        s = int(second)
        stamp = "%s %2d %02d:%02d:%02d srv01" % (MONTHS[month - 1], day, s // 3600, s // 60 % 60, s % 60)
        # Each attempt is its own connection (its own sshd process).
        pid = 1000 + (pid * 7 + 13) % 4000000
        ip = attackers[rng.randrange(len(attackers))]
        port = rng.randint(1024, 65535)
        user = USERS[rng.randrange(len(USERS))]
        r = rng.random()
        if r < 0.24:
            msg = "sshd[%d]: Failed password for invalid user %s from %s port %d ssh2" % (pid, user, ip, port)
        elif r < 0.34:
            msg = "sshd[%d]: Failed password for root from %s port %d ssh2" % (pid, ip, port)
        elif r < 0.48:
            msg = "sshd[%d]: Invalid user %s from %s port %d" % (pid, user, ip, port)
        elif r < 0.56:
            msg = ("sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                   "tty=ssh ruser= rhost=%s  user=%s" % (pid, ip, user))
        elif r < 0.64:
            msg = "sshd[%d]: Connection closed by invalid user %s %s port %d [preauth]" % (pid, user, ip, port)
        elif r < 0.71:
            msg = "sshd[%d]: Received disconnect from %s port %d:11: Bye Bye [preauth]" % (pid, ip, port)
        elif r < 0.75:
            msg = "sshd[%d]: Disconnected from authenticating user root %s port %d [preauth]" % (pid, ip, port)
        elif r < 0.77:
            msg = ("sshd[%d]: error: maximum authentication attempts exceeded for root from %s "
                   "port %d ssh2 [preauth]" % (pid, ip, port))
        elif r < 0.79:
            msg = "sshd[%d]: Disconnecting invalid user %s %s port %d: Too many authentication failures [preauth]" % (pid, user, ip, port)
        elif r < 0.81:
            msg = "sshd[%d]: error: kex_exchange_identification: Connection closed by remote host" % pid
        elif r < 0.84:
            office = offices[rng.randrange(len(offices))]
            msg = ("sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 "
                   "SHA256:Xb8vGq0jJ3d9mKpL2wQe7rT5yUiOa1sDfGhJkLzXcVb" % (pid, LEGIT[rng.randrange(3)], office, port))
        elif r < 0.87:
            msg = "sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=1000) by (uid=0)" % (pid, LEGIT[rng.randrange(3)])
        elif r < 0.90:
            msg = "sshd[%d]: pam_unix(sshd:session): session closed for user %s" % (pid, LEGIT[rng.randrange(3)])
        elif r < 0.94:
            msg = "CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)" % (pid + 7)
        elif r < 0.97:
            msg = "systemd-logind[512]: New session %d of user %s." % (n % 9000, LEGIT[rng.randrange(3)])
        else:
            msg = ("sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
                   "COMMAND=/usr/bin/systemctl restart nginx")
        buf.append(stamp + " " + msg + "\n")
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


if __name__ == "__main__":
    main()
