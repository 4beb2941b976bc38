from app.users.views import index as users
from app.orders.views import index as orders
routes = {'users':users,'orders':orders}
