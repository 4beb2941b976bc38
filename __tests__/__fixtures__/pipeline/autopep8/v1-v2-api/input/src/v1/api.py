import os
def handler(request):
    return os.path.join(request.root,request.path)
