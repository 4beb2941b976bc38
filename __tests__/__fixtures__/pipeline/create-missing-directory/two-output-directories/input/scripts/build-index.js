const fs = require("fs");

const pages = ["index.html", "about.html"];
fs.writeFileSync("dist/meta/index.json", JSON.stringify({ pages }));
