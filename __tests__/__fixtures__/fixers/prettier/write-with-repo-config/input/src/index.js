const greeting = "hello";
function shout(  text ) { return text.toUpperCase() + "!" }
export { greeting, shout };
