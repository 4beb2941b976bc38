var version = 2;
export function v2() {
  return version;
}
