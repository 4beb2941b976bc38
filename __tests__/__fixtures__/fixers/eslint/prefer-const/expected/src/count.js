let total = 0;
const step = 2;
export function next() {
  total += step;
  return total;
}
