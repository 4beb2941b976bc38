import math


def area(r):
    return math.pi*r**2


def double(x):
    return x*2
