// Placeholder: this venue's adapter is being written.
export type { VenueAdapter } from '@level4/feed';
