const fs = require("fs");

const config = JSON.parse(fs.readFileSync("config/settings.json", "utf8"));
console.log(config);
