pub fn broken(a: i32 -> i32 {
    a
}
