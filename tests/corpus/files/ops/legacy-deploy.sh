#!/bin/sh
# legacy deploy credentials (synthetic)
KEY=AKIAZJLI6UFH3REOSFHY
SEC=FB7BSv0hD9Oi22Jc8FQF6cA1EZeXrddMgg1mhzLa
exec deploy --key "$KEY" --secret "$SEC"
