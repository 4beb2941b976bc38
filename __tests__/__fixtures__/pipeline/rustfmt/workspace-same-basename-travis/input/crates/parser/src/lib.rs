pub fn parse(input:&str)->Vec<&str>{ input.split(",").map(|s|s.trim()).collect() }
