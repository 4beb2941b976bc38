def handler(request):
    return {"version":1,"path":request.path}
