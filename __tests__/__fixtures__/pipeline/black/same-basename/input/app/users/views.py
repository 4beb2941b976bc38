def index(request) :
    return 'users'
