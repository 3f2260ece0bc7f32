-- One row per planned write to an Odoo partner, keyed by trueup's external id. Every
-- correctable customer discrepancy becomes a change here; several changes to one partner
-- become one operation. A `set_*` column left NULL means "leave that field as it is".

with

discrepancies as (
    select * from {{ ref('recon_customers') }}
    where disposition = 'correctable'
),

customers as (
    select * from {{ ref('dim_customers') }}
),

changes as (
    select
        discrepancies.discrepancy_id,
        discrepancies.reason_code,
        customers.customer_id,
        customers.odoo_partner_id,
        customers.odoo_company_id,
        '{{ var("xmlid_module") }}.stripe_customer_' || customers.stripe_customer_id
            as external_id,
        case when discrepancies.kind = 'missing_in_odoo' then 'create' else 'update' end
            as operation,
        case
            when discrepancies.kind = 'missing_in_odoo' or discrepancies.field_name = 'name'
                then customers.customer_name
        end as set_name,
        case
            when discrepancies.kind = 'missing_in_odoo' or discrepancies.field_name = 'email'
                then customers.billing_email
        end as set_email,
        case when discrepancies.kind = 'missing_in_odoo' then true end as set_is_company,
        case
            when discrepancies.kind = 'status_mismatch' then true
            when discrepancies.kind = 'deleted_upstream' then false
        end as set_active
    from discrepancies
    inner join customers
        on discrepancies.customer_id = customers.customer_id
),

operations as (
    select
        external_id,
        customer_id,
        odoo_partner_id,
        odoo_company_id,
        case when bool_or(operation = 'create') then 'create' else 'update' end as operation,
        max(set_name) as set_name,
        max(set_email) as set_email,
        bool_or(set_is_company) as set_is_company,
        bool_or(set_active) as set_active,
        string_agg(discrepancy_id, ',' order by discrepancy_id) as discrepancy_ids,
        string_agg(distinct reason_code, ',' order by reason_code) as reason_codes
    from changes
    group by external_id, customer_id, odoo_partner_id, odoo_company_id
),

final as (
    select
        'op_' || left(md5('res.partner|' || external_id), 16) as operation_id,
        10 as sequence,
        'res.partner' as target_model,
        operation,
        external_id,
        odoo_partner_id,
        odoo_company_id,
        set_name,
        set_email,
        set_is_company,
        set_active,
        (
            cast(set_name is not null as integer)
            + cast(set_email is not null as integer)
            + cast(set_is_company is not null as integer)
            + cast(set_active is not null as integer)
        ) as changed_fields,
        customer_id,
        discrepancy_ids,
        reason_codes
    from operations
)

select * from final
