export function v1() {
  let version = 1;
  return version;
}
