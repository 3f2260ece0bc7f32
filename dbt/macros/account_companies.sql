{#- The Stripe account to Odoo company mapping from trueup.yml, as rows a model can join. -#}
{% macro account_companies() -%}
    {%- set mapping = var('account_companies') -%}
    select * from (
        values
        {%- for account, company_id in mapping.items() %}
            ('{{ account }}', {{ company_id }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as mapping (stripe_account, odoo_company_id)
{%- endmacro %}
