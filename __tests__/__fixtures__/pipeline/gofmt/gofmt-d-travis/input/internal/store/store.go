package store

type Store struct {
	Name string
	Size    int
}

func New() *Store { return &Store{Name:"x"} }
