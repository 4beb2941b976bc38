export default function index( ){return "web"}
