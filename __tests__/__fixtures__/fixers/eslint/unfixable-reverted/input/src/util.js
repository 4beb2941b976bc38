let unused = 1;
export const value = 2;
