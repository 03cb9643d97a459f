import type { Dictionary } from './index.ts';

type Key = 'down';

/** The notice a demo page shows while the deployment's shared store (Redis) does not answer. */
export const storeStrings: Dictionary<Key> = {
  'zh-CN': {
    down: '实验室的共享存储（Redis）暂时不可用：这个演示先停下来，Redis 恢复后会自动继续，无需刷新页面。',
  },
  en: {
    down: 'The lab’s shared store (Redis) is unavailable right now: this demo is on hold and resumes by itself once Redis is back, with no need to reload.',
  },
};
