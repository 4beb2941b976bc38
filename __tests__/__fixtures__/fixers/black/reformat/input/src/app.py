import os
def greet( name ):
    return 'Hello, %s' % name
x = {  'a':37,'b':42,
'c':927}
