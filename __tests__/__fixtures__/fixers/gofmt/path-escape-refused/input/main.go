package main

func  main() {
}
