var total = 0;
let step = 2;
export function next() {
  total += step;
  return total;
}
