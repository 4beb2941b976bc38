def handler( request ):
    return {"version" : 2}
