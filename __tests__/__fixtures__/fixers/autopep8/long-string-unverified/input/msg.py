MESSAGE = "this string literal is far too long to fit into seventy-nine columns and cannot be split"   
