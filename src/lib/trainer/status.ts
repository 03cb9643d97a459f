// Whether this browser is the trainer, as the lab says (GET /api/trainer). Pages ask before they
// render the controls that change what everybody sees, and show them disabled with the reason.
import { TRAINER_API, type TrainerStatus } from '../wire/trainer.ts';

/** A minimal fetch. */
export type StatusFetch = (url: string) => Promise<Response>;

/** True for the trainer, false for everyone else, null when the lab could not be asked. */
export async function loadTrainer(fetchFn: StatusFetch, base = ''): Promise<boolean | null> {
  try {
    const res = await fetchFn(`${base}${TRAINER_API.status}`);
    if (!res.ok) return null;
    return ((await res.json()) as TrainerStatus).trainer === true;
  } catch {
    return null;
  }
}
