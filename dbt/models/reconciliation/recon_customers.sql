-- One row per discrepancy about a customer between Stripe, the CRM and Odoo. A field owned by
-- Odoo is reported for review, never corrected; an e-mail differing only in case or spaces is
-- tolerated.

{%- set owners = var('customer_field_owners') %}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

partners as (
    select * from {{ ref('stg_odoo__partners') }}
),

compared as (
    select
        customers.*,
        partners.partner_name as odoo_name,
        partners.email as odoo_email,
        partners.is_active as odoo_is_active
    from customers
    left join partners
        on customers.odoo_partner_id = partners.odoo_partner_id
),

-- With a partner that several customers' e-mail matches, creating one could duplicate it and
-- adopting it could be wrong: a person decides.
missing_in_odoo as (
    select
        *,
        'missing_in_odoo' as kind,
        case
            when ambiguous_partner_ids is null then 'no_odoo_partner'
            else 'ambiguous_email_match'
        end as reason_code,
        case when ambiguous_partner_ids is null then 'correctable' else 'review' end
            as disposition,
        'high' as severity,
        cast(null as varchar) as field_name,
        'stripe' as owner_system,
        cast(null as varchar) as owner_value,
        cast(null as varchar) as odoo_value
    from compared
    where not is_deleted_in_stripe and odoo_partner_count = 0
),

-- The CRM is not written by trueup: a customer it does not know is for a person to add.
missing_in_crm as (
    select
        *,
        'missing_in_crm' as kind,
        case
            when stripe_crm_company_id is null then 'no_crm_reference'
            else 'crm_company_not_found'
        end as reason_code,
        'review' as disposition,
        'medium' as severity,
        cast(null as varchar) as field_name,
        'crm' as owner_system,
        cast(null as varchar) as owner_value,
        cast(null as varchar) as odoo_value
    from compared
    where not is_deleted_in_stripe and crm_company_id is null
),

deleted_upstream as (
    select
        *,
        'deleted_upstream' as kind,
        'stripe_customer_deleted' as reason_code,
        'correctable' as disposition,
        'medium' as severity,
        'active' as field_name,
        'stripe' as owner_system,
        'false' as owner_value,
        'true' as odoo_value
    from compared
    where is_deleted_in_stripe and odoo_partner_id is not null and odoo_is_active
),

duplicate_in_odoo as (
    select
        *,
        'duplicate_in_odoo' as kind,
        'several_odoo_partners' as reason_code,
        'review' as disposition,
        'medium' as severity,
        cast(null as varchar) as field_name,
        'odoo' as owner_system,
        cast(null as varchar) as owner_value,
        odoo_partner_ids as odoo_value
    from compared
    where odoo_partner_count > 1
),

archived_in_odoo as (
    select
        *,
        'status_mismatch' as kind,
        'odoo_partner_archived' as reason_code,
        'correctable' as disposition,
        'medium' as severity,
        'active' as field_name,
        'stripe' as owner_system,
        'true' as owner_value,
        'false' as odoo_value
    from compared
    where not is_deleted_in_stripe and odoo_partner_id is not null and not odoo_is_active
),

email_differs as (
    select
        *,
        case
            when lower(trim(odoo_email)) = lower(trim(billing_email)) then 'email_format'
            else 'field_mismatch'
        end as kind,
        case
            when lower(trim(odoo_email)) = lower(trim(billing_email)) then 'email_case_or_spaces'
            else 'email_differs'
        end as reason_code,
        case
            when lower(trim(odoo_email)) = lower(trim(billing_email)) then 'tolerated'
            when '{{ owners["email"] }}' = 'odoo' then 'review'
            else 'correctable'
        end as disposition,
        'low' as severity,
        'email' as field_name,
        '{{ owners["email"] }}' as owner_system,
        billing_email as owner_value,
        odoo_email as odoo_value
    from compared
    where
        not is_deleted_in_stripe
        and odoo_partner_id is not null
        and billing_email is not null
        and coalesce(odoo_email, '') != billing_email
),

name_differs as (
    select
        *,
        'field_mismatch' as kind,
        'name_differs' as reason_code,
        case when '{{ owners["name"] }}' = 'odoo' then 'review' else 'correctable' end
            as disposition,
        'low' as severity,
        'name' as field_name,
        '{{ owners["name"] }}' as owner_system,
        customer_name as owner_value,
        odoo_name as odoo_value
    from compared
    where
        not is_deleted_in_stripe
        and odoo_partner_id is not null
        and customer_name is not null
        and coalesce(odoo_name, '') != customer_name
),

discrepancies as (
    select * from missing_in_odoo
    union all
    select * from missing_in_crm
    union all
    select * from deleted_upstream
    union all
    select * from duplicate_in_odoo
    union all
    select * from archived_in_odoo
    union all
    select * from email_differs
    union all
    select * from name_differs
),

final as (
    select
        'dsc_' || left(
            md5('customer|' || kind || '|' || customer_id || '|' || coalesce(field_name, '')),
            16
        ) as discrepancy_id,
        'customer' as entity,
        kind,
        reason_code,
        severity,
        disposition,
        customer_id,
        stripe_account,
        stripe_customer_id,
        crm_company_id,
        odoo_partner_id,
        odoo_partner_ids,
        field_name,
        owner_system,
        owner_value,
        odoo_value,
        cast('{{ var("as_of") }}' as date) as as_of
    from discrepancies
)

select * from final
