fn main() {
    println!("{}", tool::greet("x"));
}
