var total = 0;
export function add(n) {
  total += n;
  return total;
}
