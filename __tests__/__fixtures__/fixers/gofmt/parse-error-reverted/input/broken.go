package main

func broken( {
}
