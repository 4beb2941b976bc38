VALUE = {'first_key_of_the_mapping': 1, 'second_key_of_the_mapping': 2, 'third_key': 3}


def f(a):
    return a
