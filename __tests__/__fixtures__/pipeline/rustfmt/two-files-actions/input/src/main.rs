mod util;

fn main() { let total=util::sum(&[1,2,3]); println!("{}",total); }
