import { routes } from '../routes';

export function NotFoundPage() {
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no dashboard page here. <a href={routes.apps}>Back to your apps</a>.</p>
    </section>
  );
}
