import { useDemo } from '../demo-context.tsx';
import { useSession } from '../session/session-context.tsx';

/** Things that change how every result must be read: the offline demo, and a lost host connection. */
export function Banners() {
  const demoCtl = useDemo();
  const { connection } = useSession();
  const { demo } = demoCtl;
  return (
    <>
      {demo && (
        <div className="demo-banner" role="status" data-testid="demo-banner">
          <strong>Loopback demo.</strong> Every step talks to NatScope’s own servers on{' '}
          {[
            demo.stun.primary,
            demo.stun.alternate,
            demo.router && `${demo.router.gateway} (a simulated router)`,
          ]
            .filter(Boolean)
            .join(', ')}
          : nothing leaves this computer, so the results show how NatScope works, not how your network
          behaves.{' '}
          <button type="button" onClick={() => void demoCtl.stop()}>
            Stop demo
          </button>
        </div>
      )}
      {connection.lost && (
        <div className="error-banner" role="alert" data-testid="connection-lost">
          <strong>Lost the connection to NatScope.</strong> {connection.reason} Running checks and calls were
          stopped; the results above them are kept. Start it again and reload this page.
        </div>
      )}
      {demoCtl.error && (
        <div className="error-banner" role="alert">
          {demoCtl.error}
        </div>
      )}
    </>
  );
}
