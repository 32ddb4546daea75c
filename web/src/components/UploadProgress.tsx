import type { Progress } from '../api/transfer';
import { formatBytes } from '../lib/format';

function percentSent(progress: Progress | null): number {
  return progress && progress.total > 0 ? Math.floor((progress.sent / progress.total) * 100) : 0;
}

// How far an upload has got. The box keeps its place while idle, so the form does not jump when
// an upload starts.
export function UploadProgress({ progress }: { progress: Progress | null }) {
  const percent = percentSent(progress);
  return (
    <div className="upload-progress" aria-hidden={progress ? undefined : true}>
      {progress ? (
        <>
          <progress max={100} value={percent} aria-label="Upload progress" />
          <span className="small">
            {formatBytes(progress.sent)} of {formatBytes(progress.total)} sent ({percent} %)
          </span>
        </>
      ) : null}
    </div>
  );
}
