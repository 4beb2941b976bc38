def combine(first_argument, second_argument, third_argument, fourth_argument, fifth_argument):
    return [first_argument,second_argument, third_argument, fourth_argument, fifth_argument, 'single quotes stay']
