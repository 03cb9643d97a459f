// Routes of workshop mode's JSON API, apart from the rest of src/lib/wire/workshop.ts so that the
// hook on every page (src/components/workshop/attendee-boot.ts) loads these few strings only.

/** Routes of the trainer's API (every one but `status` needs the trainer). */
export const WORKSHOP_API = {
  /** GET: `{active}`, public; pages load the attendee side only when it is true. */
  status: '/api/workshop',
  /** GET: the LAN URLs with their QR codes. */
  join: '/api/workshop/join',
  /** GET: who is connected, where, and over what; announcements, poll, faults. */
  room: '/api/workshop/room',
  /** POST `{text}`: an announcement on every page (`""` clears it). */
  announce: '/api/workshop/announce',
  /** POST `{chapter}`: asks every attendee to open this chapter. */
  follow: '/api/workshop/follow',
  /** POST `PollRequest`: opens a poll (replacing any other). */
  poll: '/api/workshop/poll',
  /** POST `{open?, shown?}`: closes the poll, or shows or hides its tally to attendees. */
  pollState: '/api/workshop/poll/state',
  /** POST `{n?}` to `…/faults/<FaultKind>`. */
  faults: '/api/workshop/faults',
} as const;
