pub async fn fetch(n:u32)->u32{
    let v = async { n*2 }.await;
    v
}
