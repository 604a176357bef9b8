"""`sync-run --example-config`: a commented config for one mapping's two systems, from their API descriptions.

Every key it writes is one `sync.config` checks; a value left to fill in is an empty string, which the check
refuses naming the key, so a config cannot run half filled.
"""
from __future__ import annotations

from apis.description import ApiDescription, describe
from generator.model import EntityMapping

from .names import system_key


def example_config(mapping: EntityMapping) -> str:
    lines = [f"# sync-run config for {mapping.id}: {mapping.source_system} {mapping.source_entity} -> "
             f"{mapping.target_system} {mapping.target_entity}",
             "# Fill in the empty values (or leave a credential empty and set its SYNC_<SYSTEM>_<KEY> variable);",
             "# docs/sync-run.md has every key. Run: sync-run --model MODEL --mapping ID --config THIS_FILE",
             'state = "sync-state.db"  # SQLite: links, change cursors and what the engine created, across runs',
             "# request_seconds = 300    # a request with its retries and body; pass_seconds = 21600 bounds a pass",
             ""]
    for system in dict.fromkeys((mapping.source_system, mapping.target_system)):
        lines += _system(system, describe(system)) + [""]
    return "\n".join(lines)


def _system(system: str, api: ApiDescription) -> list[str]:
    env = f"SYNC_{system_key(system).upper()}_"
    lines = [f'[systems."{system}"]', f"# {api.name}: {_kind(api)}"]
    if "{site}" in api.base_url:
        lines.append(f'site = ""  # your site: {api.base_url}')
    elif "{" in api.base_url or api.kind != "described":
        lines.append(f'base_url = ""  # where its API lives, http(s)://..., like {api.url(system)}')
    else:
        lines.append(f'# base_url = "{api.base_url}"  # the vendor\'s; set it for a test tenant or a served fake')
    auth = api.auth
    if auth.style == "bearer" and auth.session is not None:
        lines.append(f'# token = ""  # an access token, if you have one; else the keys below make one per run '
                     f'(sent as {auth.header}: {auth.prefix}<token>)')
    elif auth.style == "bearer":
        lines.append(f'token = ""  # sent as {auth.header}: {auth.prefix}<token> (or {env}TOKEN)')
    elif auth.style == "basic" and auth.session is not None:
        lines.append(f'# password = ""  # a session token, if you have one; else the tokens below make one per run')
    elif auth.style == "basic" and auth.user:
        lines.append(f'password = ""  # basic auth as user "{auth.user}", which sync-run sends (or {env}PASSWORD)')
    elif auth.style == "basic":
        lines += [f'user = ""  # basic auth (or {env}USER; an API key goes here, or as api_key)',
                  f'password = ""  # (or {env}PASSWORD)']
    for header, name in auth.headers:
        lines.append(f'{name} = ""  # sent as {header} on every request (or {env}{name.upper()})')
    if auth.session is not None:
        for name in auth.session_names:
            lines.append(f'{name} = ""  # for {auth.session.method} {auth.session.path.removeprefix("..")} '
                         f'(or {env}{name.upper()})')
    return lines


def _kind(api: ApiDescription) -> str:
    return {"described": "described from the vendor's own API description",
            "declared": "declared by this product (the vendor publishes no description)"}.get(
        api.kind, "an API this product does not model: the generic conventions (docs/apis.md)")
