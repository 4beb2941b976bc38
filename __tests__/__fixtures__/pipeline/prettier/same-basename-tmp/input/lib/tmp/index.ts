export default function index() {
    return 'lib'
}
