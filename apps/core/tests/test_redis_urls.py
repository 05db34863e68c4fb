from pogfund.redis_urls import celery_broker_url, with_db


def test_unix_socket_url_becomes_kombus_socket_form_with_its_db():
    assert celery_broker_url("unix:///srv/var/redis.sock") == "redis+socket:///srv/var/redis.sock"
    assert celery_broker_url("unix:///srv/var/redis.sock?db=3") == "redis+socket:///srv/var/redis.sock?virtual_host=3"


def test_tcp_url_is_left_as_is_and_db_is_swapped():
    assert celery_broker_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert with_db("redis://127.0.0.1:6379", 9) == "redis://127.0.0.1:6379/9"
    assert with_db("redis://:pw@redis:6379/0", 2) == "redis://:pw@redis:6379/2"
    assert with_db("unix:///srv/var/redis.sock", 1) == "unix:///srv/var/redis.sock?db=1"
