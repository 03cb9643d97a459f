// Runs on every page, and costs one small request: the workshop's attendee side (its socket and
// its banners) loads only when the lab says a trainer is running a workshop right now.
import { WORKSHOP_API } from '~/lib/wire/workshop-api.ts';
import type { WorkshopStatus } from '~/lib/wire/workshop.ts';

async function boot(): Promise<void> {
  const host = document.getElementById('lab-workshop');
  if (!host || host.dataset['skip'] === 'true') return;
  let status: WorkshopStatus;
  try {
    const res = await fetch(WORKSHOP_API.status, { cache: 'no-store' });
    if (!res.ok) return;
    status = (await res.json()) as WorkshopStatus;
  } catch {
    return; // a page served without the lab (astro preview): no workshop
  }
  if (!status.active) return;
  const { mountAttendee } = await import('./mount-attendee.ts');
  mountAttendee(host);
}

void boot();
