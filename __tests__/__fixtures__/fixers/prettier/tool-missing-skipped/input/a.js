const a  = 1
