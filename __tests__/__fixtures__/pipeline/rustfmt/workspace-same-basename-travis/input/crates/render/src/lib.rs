pub async fn render(items: &[&str]) -> String {
    let joined = async { items.join(" | ") }.await;
    format!("[{}]",joined)
}
