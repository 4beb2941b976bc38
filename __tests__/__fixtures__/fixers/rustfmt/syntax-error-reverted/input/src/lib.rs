pub fn ok(a:i32)->i32{a}
