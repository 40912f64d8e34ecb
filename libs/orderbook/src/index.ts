export { OrderBook, type BookSnapshot, type LevelInput, type OrderBookOptions } from './order-book.js';
export type { Level, Side } from './book-side.js';
export {
  canonicalDecimal,
  compareDecimal,
  formatDecimal,
  isDecimal,
  midPrice,
  parseDecimal,
  type ScaledDecimal,
} from './decimal.js';
