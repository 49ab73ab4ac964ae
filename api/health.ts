import { Router, type Request, type Response } from 'express';
import type { AppDeps } from './app';

/**
 * GET /health/live: the process answers (a supervisor restarts it when this stops answering).
 * GET /health/ready (and /health): 200 when PostgreSQL and Temporal both answer, 503 naming the one that
 * does not (a load balancer sends no traffic meanwhile; restarting would not help).
 */
export function healthRoutes({ db, temporal }: AppDeps): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => { res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }); });
  const ready = async (_req: Request, res: Response) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref())]);
        return { status: 'up' as const };
      } catch (e: any) {
        return { status: 'down' as const, error: String(e?.message ?? e).split('\n')[0] };
      }
    };
    const [database, temporalCheck] = await Promise.all([
      check(() => db.$queryRaw`SELECT 1`),
      check(() => temporal.workflowService.getSystemInfo({})),
    ]);
    const ok = database.status === 'up' && temporalCheck.status === 'up';
    const down = [database.status === 'down' && 'database', temporalCheck.status === 'down' && 'temporal'].filter(Boolean);
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : `unavailable: ${down.join(' and ')} down`,
      checks: { database, temporal: temporalCheck },
    });
  };
  router.get('/health', ready);
  router.get('/health/ready', ready);
  return router;
}
