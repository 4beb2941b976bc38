pub fn sum(values: &[i32]) -> i32 {
    values.iter().fold(0,|acc,v| acc+v)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sums() { assert_eq!(super::sum(&[1, 2]), 3); }
}
