mod util;
fn main() { let x=util::add(1,2); println!("{}",x); }
