import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full collection on demand, so a test can see what still holds on to an object it has let go of.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Whether `target` is gone after a full collection. The wait ends the current job first (a WeakRef holds its
 * target until then) and gives closed handles `settleMs` to be released.
 */
export async function isCollected(target: WeakRef<object>, settleMs = 0): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  collectGarbage();
  return target.deref() === undefined;
}
