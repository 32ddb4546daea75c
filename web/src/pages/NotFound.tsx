import { Link } from 'react-router-dom';
import { EmptyState } from '../components/ui';
import { useTitle } from '../lib/hooks';

export function NotFound({ message }: { message?: string }) {
  useTitle('Not found');
  return (
    <div className="page narrow">
      <EmptyState
        title={message ? 'Not available' : 'This page does not exist'}
        action={
          <Link className="btn" to="/">
            Go to the home page
          </Link>
        }
      >
        {message ?? 'Check the address, or start again from the home page.'}
      </EmptyState>
    </div>
  );
}
