def index(request):
    return  'orders'
