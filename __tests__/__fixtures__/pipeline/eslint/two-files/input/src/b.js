export function greet(name) {
  let message = `hello ${name}`;
  return message;
}
