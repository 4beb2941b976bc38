const b = [1,2,3];
module.exports = {b}
