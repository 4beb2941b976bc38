import os


def handler(request):
    return os.getcwd()  



